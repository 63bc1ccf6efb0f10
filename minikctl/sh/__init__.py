"""One POSIX shell interpreter for every simulated shell: `sh -c` in containers, `exec -it -- sh`,
container commands and exec probes, and `minikctl ssh NODE`.

Why our own: the shells learners meet (busybox ash, Debian dash, bash) differ in their messages
byte for byte, and every command they run must be a simulated applet over the container's
simulated files, never a host process. parser.py builds the syntax tree (with each dialect's
syntax errors, dialect.py), expand.py does the word expansions, arith.py `$((...))`,
interp.py runs the tree against a `System` (applets, files, clock), builtins.py and testexpr.py
are the shell's own commands.
"""
