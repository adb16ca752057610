"""Worker of the grid service: outbox relay + event consumer."""

from services.registry import worker_main

if __name__ == "__main__":
    worker_main("grid")
