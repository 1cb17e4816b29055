"""``python -m soak``: see ``soak.run``."""

from soak.run import main

if __name__ == "__main__":  # not when a spawned reader process imports this module
    main()
