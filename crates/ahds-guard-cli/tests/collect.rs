//! `ahds-guard collect` against a loopback stand-in for Resource Manager: the export is
//! written, the summary counts what was collected, a subscription without access is an
//! error (exit 2) without losing the rest, and `check` reads the export.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;

use serde_json::{Value, json};

/// Answers each Resource Graph query: one storage account for `sub-ok`, `403` for any
/// other subscription.
fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let stream = stream.unwrap();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0;
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).unwrap();
                        if h.trim_end().is_empty() {
                            break;
                        }
                        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let sub = req["subscriptions"][0].as_str().unwrap_or("");
                    let roles = req["query"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("authorizationresources");
                    let (status, answer) = match sub {
                        "sub-ok" if roles => (200, json!({"data": [], "count": 0})),
                        "sub-ok" => (
                            200,
                            json!({"count": 1, "data": [{
                                "id": "/subscriptions/sub-ok/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stlive",
                                "name": "stlive", "type": "microsoft.storage/storageaccounts", "location": "westeurope",
                                "subscriptionId": "sub-ok", "resourceGroup": "rg",
                                "properties": {"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow", "bypass": "AzureServices", "ipRules": [], "virtualNetworkRules": []}}
                            }]}),
                        ),
                        _ => (
                            403,
                            json!({"error": {"code": "AuthorizationFailed", "message": "no access"}}),
                        ),
                    };
                    let text = answer.to_string();
                    let out = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
                        text.len()
                    );
                    if writer.write_all(out.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn collect(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
        .arg("collect")
        .args(args)
        .env("AHDS_GUARD_ACCESS_TOKEN", "test-token")
        .current_dir(common::root())
        .output()
        .unwrap()
}

#[test]
fn collect_writes_the_export_and_fails_on_the_subscription_it_cannot_read() {
    let url = start();
    let out = std::env::temp_dir().join(format!("ahds-guard-collect-{}.json", std::process::id()));
    let o = collect(&[
        "--subscription",
        "sub-ok",
        "--subscription",
        "sub-denied",
        "--endpoint",
        &url,
        "--output",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("error: subscription sub-denied: not collected: HTTP 403: AuthorizationFailed: no access"), "{err}");
    assert!(err.contains("subscription sub-ok: 1 collected"), "{err}");
    assert!(
        err.contains("1  microsoft.storage/storageaccounts"),
        "{err}"
    );
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(export["value"].as_array().unwrap().len(), 1);
    // `check` reads the export as a live listing.
    let c = common::run(&["check", out.to_str().unwrap(), "--format", "json"]);
    let report: Value = serde_json::from_slice(&c.stdout).unwrap();
    assert_eq!(report["summary"]["resources"], 1, "{report}");
    std::fs::remove_file(&out).unwrap();
}

#[test]
fn collect_needs_a_scope() {
    let o = collect(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--subscription"));
}
