"""Worker of the hazard ledger: outbox relay + event consumer."""

from services.registry import worker_main

if __name__ == "__main__":
    worker_main("hazards")
