"""Schedulers: pure functions from (state, grade, day) to the next state."""
