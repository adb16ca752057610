"""The emergency-plan register (应急预案, issue 17): plans per unit and scenario, drilled by
education's drills (drill.completed carries the plan), reviewed by a date."""
