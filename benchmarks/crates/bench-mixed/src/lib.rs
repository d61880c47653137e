//! Native half of `bench_mixed`, importable as `bench_mixed._native`.
//!
//! The benchmark (`benchmarks/run.py`) edits `SCALE` below to simulate a Rust change.

use pyo3::prelude::*;

/// Multiplier applied by `scaled_sum`; `benchmarks/run.py` rewrites this line.
pub const SCALE: i64 = 1;

#[pymodule]
mod _native {
    use itertools::Itertools;
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;
    use regex::Regex;
    use serde::{Deserialize, Serialize};
    use smallvec::SmallVec;

    #[derive(Serialize, Deserialize)]
    struct Stats {
        count: usize,
        total: i64,
        distinct: Vec<i64>,
    }

    /// The current value of the crate's `SCALE` constant.
    #[pyfunction]
    fn scale() -> i64 {
        super::SCALE
    }

    /// `SCALE * sum(values)`.
    #[pyfunction]
    fn scaled_sum(values: Vec<i64>) -> i64 {
        let small: SmallVec<[i64; 16]> = values.into_iter().collect();
        super::SCALE * small.iter().sum::<i64>()
    }

    /// Count, total and sorted distinct values of `values`, as a JSON string.
    #[pyfunction]
    fn stats_json(values: Vec<i64>) -> PyResult<String> {
        let stats = Stats {
            count: values.len(),
            total: values.iter().sum(),
            distinct: values.iter().copied().sorted().dedup().collect(),
        };
        serde_json::to_string(&stats).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// All integers found in `text` (a regex scan), e.g. `"a1 b-22"` -> `[1, -22]`.
    #[pyfunction]
    fn find_ints(text: &str) -> PyResult<Vec<i64>> {
        let re = Regex::new(r"-?\d+").map_err(|e| PyValueError::new_err(e.to_string()))?;
        re.find_iter(text)
            .map(|m| m.as_str().parse::<i64>().map_err(|e| PyValueError::new_err(e.to_string())))
            .collect()
    }

    /// Parse a JSON object like the one `stats_json` returns and give back its `total`.
    #[pyfunction]
    fn total_from_json(text: &str) -> PyResult<i64> {
        let stats: Stats =
            serde_json::from_str(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(stats.total)
    }
}
