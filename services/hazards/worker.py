"""Worker of the hazard ledger: outbox relay + event consumer + periodic sweeps."""

from __future__ import annotations

from services.registry import worker_main


def main(argv: list[str] | None = None) -> None:
    worker_main("hazards", argv)


if __name__ == "__main__":
    main()
