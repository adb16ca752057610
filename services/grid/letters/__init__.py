"""Responsibility letters (安全责任书, 一岗双责): one per post (an assignment) and year, signed
by the holder, recorded with its signed scan; the grid shows the posts not signed yet."""
