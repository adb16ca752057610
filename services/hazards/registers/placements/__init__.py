"""The practical-training and internship register (实训实习、校外社会实践, plan task 六)."""
