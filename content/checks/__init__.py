"""Checks over parsed content, one module per kind of file.

Each check is a function over parsed models that yields a ``ContentProblem`` per thing wrong,
naming the file and the field; the loader runs them and collects every problem at once.
"""
