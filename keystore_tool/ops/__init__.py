"""Use cases over the model: functions that return result objects and never print or exit."""
