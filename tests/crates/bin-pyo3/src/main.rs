use pyo3::prelude::*;

fn main() -> PyResult<()> {
    Python::attach(|py| {
        let sys = py.import("sys")?;
        let info = sys.getattr("version_info")?;
        let major: u8 = info.getattr("major")?.extract()?;
        let minor: u8 = info.getattr("minor")?.extract()?;
        println!("embedded python {major}.{minor}");
        Ok(())
    })
}
