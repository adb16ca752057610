"""The food-safety register (食品安全, plan task 九): outlets, their licences and staff health
certificates, and the daily records (陪餐、留样、农残检测、冷链溯源)."""
