"""Emergency plans (应急预案) as reporting counts them (issue 17): a projection of hazards'
``emergency_plan.changed``, counted per unit in the statistics on the day asked."""
