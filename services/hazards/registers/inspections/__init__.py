"""Daily inspections (日检查, plan task 七) and the checklists they answer (检查表)."""
