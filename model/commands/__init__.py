"""One module a sub-command of ``domwork``: each takes the parsed arguments and returns an exit status."""
