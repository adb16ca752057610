"""The security office's own registers (issue 16), each shaped like a service area:
clues and their hand-overs (线索摸排与移交, restricted like the psych ledger), joint
inspections with outside agencies (协同联动), and patrol routes with their patrols (门卫值守、
内部巡查). Their tables are ``models``; each area keeps its pure rules in ``domain``, who may
in ``access``, use cases in ``commands``, marshmallow in ``schemas``, blueprints in ``api``.
"""
