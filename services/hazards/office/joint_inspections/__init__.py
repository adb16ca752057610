"""Joint inspections with outside agencies (协同联动): the agencies, the day, the places
visited and the members; each finding opens a hazard whose source is the joint inspection."""
