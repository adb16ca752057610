"""The ledger's three registers, each shaped like a service: risk points (安全风险辨识评估,
plan task 三), daily inspections with their checklists (日检查, task 七), and special
equipment with its periodic inspections (特种设备, task 十).

Who may write and read any register is ``access``; each area keeps its pure rules in
``domain``, its use cases in ``commands``, its marshmallow in ``schemas`` and its
blueprints in ``api``.
"""
