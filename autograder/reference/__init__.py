"""Reference solutions of the assignments: the single source of the student stubs.

Solution regions lie between `# BEGIN SOLUTION <function>: <stage>` and
`# END SOLUTION`; `python -m autograder stubs` turns each region into a TODO
and a `raise NotImplementedError("<function>: <stage>")` in `assignments/`.
"""
