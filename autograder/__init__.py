"""The tinybackprop autograder: grades the assignments in a sandboxed child process."""
