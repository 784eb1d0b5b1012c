"""kube-openapi's value validations where Python's `jsonschema` answers differently.

The API server validates custom resources with k8s.io/kube-openapi pkg/validation/validate;
these are its rules for the keywords whose Python implementation differs in a way a docs page
can show, plugged into the jsonschema validator class (`compiler.kubernetes_validator_class`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

# swag.IsFloat64AJSONInteger (github.com/go-openapi/swag convert.go, vendored by kube-openapi):
# the relative error under which a quotient counts as whole, and the range of exact integers.
_EPSILON = 1e-9
_MAX_JSON_FLOAT = float(1 << 53)
_MIN_JSON_FLOAT = -float(1 << 53)


def is_json_integer(value: float) -> bool:
    """`swag.IsFloat64AJSONInteger`: whole within a relative error of 1e-9, never NaN or infinite."""
    if math.isnan(value) or math.isinf(value) or value < _MIN_JSON_FLOAT or value > _MAX_JSON_FLOAT:
        return False
    # Go's float64(uint64(f)) truncates toward zero for f >= 0; for a negative f the result is
    # far from f on amd64 (a wrapped 2**64 - n), so only an exactly whole negative quotient
    # passes there: the relative-error branch never accepts one. 0.0 stands in for that value.
    truncated = float(math.trunc(value)) if value >= 0 else 0.0
    difference = abs(value - truncated)
    if value == truncated or value == float(math.trunc(value)):
        return True
    if value == 0 or truncated == 0 or difference < 5e-324:
        return difference < _EPSILON * 5e-324
    return difference / min(abs(value) + abs(truncated), 1.7976931348623157e308) < _EPSILON


def is_multiple_of(value: float, factor: float) -> bool:
    """kube-openapi validate/values.go `MultipleOf` for a positive factor.

    A factor below 1 is inverted first (`1/factor*data`), so `0.3` is a multiple of `0.1` as the
    API server says, where `jsonschema` (`0.3/0.1 = 2.9999999999999996`) says it is not.
    """
    quotient = (1 / factor * value) if factor < 1 else (value / factor)
    return is_json_integer(quotient)


def multiple_of(validator: Any, factor: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """The `multipleOf` keyword for jsonschema's `extend(validators=...)`, with kube-openapi's rule.

    Never raises on any number: NaN and infinities are "not a multiple" (jsonschema's own
    keyword raised `ValueError` on NaN and stopped a whole `appreg validate` run).
    """
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "number"):
        return
    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not factor > 0:
        return  # the CRD's own problem (`multipleOf` must be positive); checked when it loads
    if not is_multiple_of(float(instance), float(factor)):
        yield ValidationError(f"{instance!r} is not a multiple of {factor}")
