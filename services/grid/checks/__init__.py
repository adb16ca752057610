"""Background checks of the grid's people (入职查询、资格审查): a restricted ledger of the
security office and the personnel department; the home of the rule "no post that needs a
check without a valid one"."""
