"""The vehicles and drivers register (通勤车、公务车, plan task 八): vehicles with their
inspection (年检) and insurance dates, drivers with licence and safety education, trips."""
