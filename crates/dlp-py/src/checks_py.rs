//! Validation programs and masks from Python (`dlp/checks.py`), and the test hooks
//! `check` and `apply_mask` that run them one candidate at a time.

use std::collections::HashMap;

use dlp_engine::checks::{Arg, Outcome, Program, StepSpec, Tables};
use dlp_engine::mask::Mask;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PyString, PyTuple};

/// A primitive object (anything with a `spec()` method) as its `(op, *args)` tuple.
fn as_spec<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if !obj.is_instance_of::<PyTuple>() && obj.hasattr("spec")? {
        obj.call_method0("spec")
    } else {
        Ok(obj.clone())
    }
}

fn arg_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Arg> {
    if obj.is_instance_of::<PyString>() {
        return Ok(Arg::Str(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return Ok(Arg::Int(obj.extract()?));
    }
    if obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(item?.extract::<String>()?);
        }
        return Ok(Arg::Strs(items));
    }
    Err(PyTypeError::new_err(format!(
        "check argument must be int, str or a tuple of str, not {}",
        obj.get_type().name()?
    )))
}

/// One step: a tuple `(op: str, *args)` (or a primitive with `.spec()`).
pub fn step_from_py(obj: &Bound<'_, PyAny>) -> PyResult<StepSpec> {
    let spec = as_spec(obj)?;
    let items: Vec<Bound<'_, PyAny>> =
        if spec.is_instance_of::<PyTuple>() || spec.is_instance_of::<PyList>() {
            spec.try_iter()?.collect::<PyResult<_>>()?
        } else {
            return Err(PyTypeError::new_err(
                "a check step must be a tuple (op, *args)",
            ));
        };
    let Some((op, rest)) = items.split_first() else {
        return Err(PyValueError::new_err("a check step must not be empty"));
    };
    let op: String = op
        .extract()
        .map_err(|_| PyTypeError::new_err("a check step must start with its op name (str)"))?;
    let args = rest.iter().map(arg_from_py).collect::<PyResult<_>>()?;
    Ok(StepSpec { op, args })
}

/// A sequence of steps.
pub fn steps_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Vec<StepSpec>> {
    obj.try_iter()?.map(|item| step_from_py(&item?)).collect()
}

/// Tables from a mapping `name -> iterable of keys` (e.g. `dlp.data.load_table(name)`).
pub fn tables_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Tables> {
    let mut tables = HashMap::new();
    for item in obj.call_method0("items")?.try_iter()? {
        let (name, keys): (String, Bound<'_, PyAny>) = item?.extract()?;
        let keys = keys
            .try_iter()?
            .map(|k| k?.extract::<String>())
            .collect::<PyResult<Vec<_>>>()?;
        tables.insert(name, keys);
    }
    Ok(Tables::new(tables))
}

/// Run a validation program on one candidate: `("confirm" | "unknown", value)` or
/// `("reject", reason)`. Parse errors and unknown tables raise ValueError.
#[pyfunction]
fn check(
    steps: &Bound<'_, PyAny>,
    candidate: &str,
    tables: &Bound<'_, PyAny>,
    today: u32,
) -> PyResult<(&'static str, String)> {
    let program = Program::parse(&steps_from_py(steps)?).map_err(PyValueError::new_err)?;
    let tables = tables_from_py(tables)?;
    program
        .check_tables(&tables)
        .map_err(PyValueError::new_err)?;
    Ok(match program.run(candidate, &tables, today) {
        Outcome::Confirm(value) => ("confirm", value),
        Outcome::Unknown(value) => ("unknown", value),
        Outcome::Reject(reason) => ("reject", reason.to_string()),
    })
}

/// Mask one normalised value with a mask spec `(op, *args)`.
#[pyfunction]
fn apply_mask(
    mask_spec: &Bound<'_, PyAny>,
    value: &str,
    tables: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let mask = Mask::parse(&step_from_py(mask_spec)?).map_err(PyValueError::new_err)?;
    Ok(mask.apply(value, &tables_from_py(tables)?))
}

/// Add the test hooks `check` and `apply_mask` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(apply_mask, m)?)?;
    Ok(())
}
