"""`minikctl shell`: an interactive bash-like prompt over the simulated cluster (repl.Shell)."""
