"""The risk register (安全风险辨识评估, plan task 三): risk points graded by the LS method."""
