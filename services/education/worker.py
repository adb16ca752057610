"""Worker of the education service: outbox relay + event consumer."""

from __future__ import annotations

from services.registry import worker_main


def main(argv: list[str] | None = None) -> None:
    worker_main("education", argv)


if __name__ == "__main__":
    main()
