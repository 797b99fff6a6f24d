"""Organisers' own questions and the delegates' answers: the built-in questions, the
answers' checks and writes, and their reads."""
