//! A Python extension module written directly against the C API via `pyo3-ffi`.
//! Multi-phase initialisation (PEP 489): `PyInit_pyo3_ffi_raw` returns the
//! module definition through `PyModuleDef_Init`.
use std::ptr;

use pyo3_ffi::*;

static mut METHODS: [PyMethodDef; 2] = [
    PyMethodDef {
        ml_name: c"triple".as_ptr(),
        ml_meth: PyMethodDefPointer { PyCFunction: triple },
        ml_flags: METH_O,
        ml_doc: c"triple(x) -> 3 * x".as_ptr(),
    },
    // Sentinel.
    PyMethodDef::zeroed(),
];

static mut SLOTS: [PyModuleDef_Slot; 1] = [PyModuleDef_Slot {
    slot: 0,
    value: ptr::null_mut(),
}];

static mut MODULE_DEF: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"pyo3_ffi_raw".as_ptr(),
    m_doc: c"A module written with raw pyo3-ffi.".as_ptr(),
    m_size: 0,
    m_methods: (&raw mut METHODS).cast(),
    m_slots: (&raw mut SLOTS).cast(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
};

#[allow(non_snake_case)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyInit_pyo3_ffi_raw() -> *mut PyObject {
    PyModuleDef_Init(&raw mut MODULE_DEF)
}

unsafe extern "C" fn triple(_module: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    let x = PyLong_AsLongLong(arg);
    if x == -1 && !PyErr_Occurred().is_null() {
        return ptr::null_mut();
    }
    match x.checked_mul(3) {
        Some(v) => PyLong_FromLongLong(v),
        None => {
            PyErr_SetString(PyExc_OverflowError, c"result does not fit in 64 bits".as_ptr());
            ptr::null_mut()
        }
    }
}
