"""Gate and patrol logs (门卫值守、内部巡查): routes of places, patrols that check in at each
place by scanning its QR code (the roster poster's), the places missed, and the hazards
anything found opens."""
