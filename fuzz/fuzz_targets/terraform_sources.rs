//! Terraform sources: the fuzzer's bytes are a module's `main.tf` (and, after a line
//! `#--tfvars`, its `terraform.tfvars`), read as a root module without a plan, where the
//! HCL evaluator, its functions and its budgets run. Nothing may panic or hang.
#![no_main]

use ahds_ingest::{TerraformOptions, read_terraform_config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("ahds-guard-fuzz-tf-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let text = String::from_utf8_lossy(data);
    let (tf, tfvars) = text.split_once("#--tfvars\n").unwrap_or((&text, ""));
    if std::fs::write(dir.join("main.tf"), tf).is_err()
        || std::fs::write(dir.join("terraform.tfvars"), tfvars).is_err()
    {
        return;
    }
    if let Err(errors) = read_terraform_config(&dir, "fuzz", &TerraformOptions::default()) {
        assert!(!errors.is_empty());
    }
});
