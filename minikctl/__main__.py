"""`python -m minikctl`: the same entry point as the console script."""
from minikctl.cli.main import main

if __name__ == "__main__":
    main()
