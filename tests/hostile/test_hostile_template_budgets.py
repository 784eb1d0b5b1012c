"""Template budgets enforced on the work itself, not between steps.

The attacks: `lipsum(10**8)` and `[1]|slice(10**9)|list` loop inside one call (Jinja even folds
the second at compile time), and `+`, `~`, `join`, `format`, `%`, `str.replace` and `str.join`
built values past the 4 MiB cap (0.4-1.5 GB peak). Each is now one `template.limit` finding on
the template line, within the harness's 5 s and 512 MiB ceiling.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hostile_templates import HEADER, finding, render

from mkdocs_appreg.common.limits import MAX_RENDER_CHARS

# 4 MiB of one character, bound to a name: every attack below doubles or multiplies it.
BIG = f"{{% set big = 'x' * {MAX_RENDER_CHARS} %}}\n"


@pytest.mark.parametrize(
    "payload",
    [
        "{{ lipsum(10**8) }}",
        "{{ [1]|slice(10**9)|list }}",
        "{{ [1]|slice(4000000)|list|length }}",
        BIG + "{{ big + big }}",
        BIG + "{{ (big + big)|length }}",
        BIG + "{{ big ~ big }}",
        BIG + "{{ [big, big, big]|join }}",
        BIG + "{{ [big] * 1 + [big] }}",
        BIG + "{{ '%s%s'|format(big, big) }}",
        BIG + "{{ '%s%s' % (big, big) }}",
        BIG + "{{ 'ab'.replace('a', big) }}",
        BIG + "{{ ''.join([big, big]) }}",
        BIG + "{{ '{0}{0}'.format(big) }}",
        BIG + "{{ big|replace('x', 'yy') }}",
    ],
)
def test_work_inside_one_call_is_refused(tmp_path: Path, payload: str) -> None:
    result = finding(render(tmp_path, HEADER + payload + "\n"))
    assert result.rule == "template.limit", result


def test_a_python_loop_inside_one_call_is_cut_at_the_deadline(tmp_path: Path) -> None:
    # 100,000 slices pass the slice cap, but listing and joining them is work between two checks.
    payload = "{% for _ in range(100000) %}{{ range(100000)|slice(100000)|list|length }}{% endfor %}"
    result = finding(render(tmp_path, HEADER + payload + "\n"))
    assert result.rule == "template.limit"
    assert "longer than 2 seconds" in result.message or "loop iterations" in result.message


def test_ordinary_templates_are_untouched(tmp_path: Path) -> None:
    payload = (
        "metadata:\n  name: {{ 'a' ~ 'b' }}\n  labels: {{ ['x', 'y']|join(',') }}\n"
        "  note: '{{ '%s-%s'|format('a', 1) }} {{ 'ab' + 'c' }} {{ 'a-b'.replace('-', '_') }}'\n"
        "  text: '{{ lipsum(1, html=False, min=2, max=3)|length > 0 }}'\n"
    )
    result = render(tmp_path, HEADER + payload)
    assert not hasattr(result, "rule"), result
    assert "name: ab" in result.text and "labels: x,y" in result.text
    assert "note: 'a-1 abc a_b'" in result.text
