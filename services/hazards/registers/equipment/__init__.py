"""The special-equipment register (特种设备, plan task 十) and its periodic inspections."""
