"""Assertions several test modules share."""


def assert_one_line_error(result, *needles):
    """A click result that failed with one ``Error: ...`` line holding every needle."""
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
