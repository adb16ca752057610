"""The campaign's own work: task work ledgers (工作台账) and each unit's phase work, the
progress matrix, phase-task flags and supervision reports (督查报告).

A responsible unit keeps its own phase work on each task it answers for, in each phase
whose party is the units (``CampaignPhase.party``, from the campaign's data): its manager
writes ledger entries about the unit for that phase (工作机构, 工作方案, 自查台账, 整改方案 …),
uploads their evidence files and submits the work. Submitted or confirmed work is frozen
for the unit until a lead department of the task returns it. In the lead departments'
phase their work is a supervision report on every secondary college.

``domain`` holds the pure rules, ``access`` who may act and see, ``commands`` the use
cases, ``schemas`` and ``api`` the HTTP side. The worker's sweep runs ``phase_sweep``.
"""

from services.reporting.work.commands.phase_flags import phase_sweep

__all__ = ["phase_sweep"]
