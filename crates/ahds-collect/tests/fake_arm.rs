//! `collect` against a fake of Resource Manager on loopback, answering the documented
//! Azure Resource Graph and ARM shapes: several pages (`$skipToken`, `nextLink`), a `429`
//! with `Retry-After`, a `503` then success, and a subscription without access. The export
//! gives the same findings as the same estate read as one resource file. No test reaches a
//! real cloud.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ahds_collect::{CollectOptions, Credential, RetryPolicy, Scope, collect};
use serde_json::{Value, json};

/// The estate: the Contoso resource listing the ARM reader's tests use, read once.
fn estate() -> Vec<Value> {
    static ESTATE: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    ESTATE
        .get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/arm/contoso-clinical-resources.json");
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            doc["value"].as_array().unwrap().clone()
        })
        .clone()
}

/// Children Resource Graph does not index: served by ARM GETs under their parent.
const CHILD_TYPES: &[&str] = &[
    "microsoft.eventhub/namespaces/networkrulesets",
    "microsoft.network/privateendpoints/privatednszonegroups",
    "microsoft.eventgrid/systemtopics/eventsubscriptions",
];

fn type_of(r: &Value) -> String {
    r["type"].as_str().unwrap().to_ascii_lowercase()
}

#[derive(Default)]
struct Seen {
    /// Requests by `METHOD path` (query string dropped).
    requests: BTreeMap<String, usize>,
    graph_calls: BTreeMap<String, usize>,
    tokens: Vec<String>,
}

struct Fake {
    url: String,
    seen: Arc<Mutex<Seen>>,
}

impl Fake {
    fn start() -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (s, base) = (Arc::clone(&seen), url.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (s, base) = (Arc::clone(&s), base.clone());
                std::thread::spawn(move || serve(stream, &s, &base));
            }
        });
        Fake { url, seen }
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Seen>, base: &str) {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut length = 0;
        let mut auth = String::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            match k.to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap(),
                "authorization" => auth = v.trim().to_string(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let path = target.split('?').next().unwrap().to_string();
        let (status, headers, answer) = {
            let mut s = seen.lock().unwrap();
            *s.requests.entry(format!("{method} {path}")).or_default() += 1;
            s.tokens.push(auth);
            respond(&mut s, &method, &path, &body, base)
        };
        let text = answer.to_string();
        let mut out = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            text.len()
        );
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&text);
        if stream.write_all(out.as_bytes()).is_err() {
            return;
        }
    }
}

/// The fake's behaviour, per documented shape.
fn respond(
    s: &mut Seen,
    method: &str,
    path: &str,
    body: &[u8],
    base: &str,
) -> (u16, Vec<(&'static str, String)>, Value) {
    let resources = estate();
    if method == "POST" && path == "/providers/Microsoft.ResourceGraph/resources" {
        let req: Value = serde_json::from_slice(body).unwrap();
        let sub = req["subscriptions"][0].as_str().unwrap_or("").to_string();
        let query = req["query"].as_str().unwrap().to_ascii_lowercase();
        let key = format!(
            "{sub} {}",
            if query.starts_with("authorizationresources") {
                "roles"
            } else {
                "resources"
            }
        );
        let calls = {
            let c = s.graph_calls.entry(key.clone()).or_default();
            *c += 1;
            *c
        };
        match sub.as_str() {
            "sub-denied" => {
                return (
                    403,
                    vec![],
                    json!({"error": {"code": "AuthorizationFailed", "message": "The client has no access to subscription sub-denied."}}),
                );
            }
            "sub-flaky" if calls == 1 => {
                return (
                    503,
                    vec![],
                    json!({"error": {"code": "ServiceUnavailable", "message": "try again"}}),
                );
            }
            "sub-flaky" => {
                return (
                    200,
                    vec![],
                    json!({"totalRecords": 0, "count": 0, "data": []}),
                );
            }
            "sub-a" if calls == 1 && key.ends_with("resources") => {
                return (
                    429,
                    vec![("retry-after", "1".into())],
                    json!({"error": {"code": "RateLimiting", "message": "slow down"}}),
                );
            }
            _ => {}
        }
        let rows: Vec<Value> = resources
            .iter()
            .filter(|r| {
                let t = type_of(r);
                if query.starts_with("authorizationresources") {
                    t == "microsoft.authorization/roleassignments"
                } else {
                    t != "microsoft.authorization/roleassignments"
                        && !CHILD_TYPES.contains(&t.as_str())
                        && query.contains(&format!("'{t}'"))
                }
            })
            .cloned()
            .collect();
        let top = req["options"]["$top"].as_u64().unwrap_or(1000) as usize;
        let start: usize = req["options"]["$skipToken"]
            .as_str()
            .map_or(0, |t| t.parse().unwrap());
        let page: Vec<Value> = rows.iter().skip(start).take(top).cloned().collect();
        let mut answer = json!({"totalRecords": rows.len(), "count": page.len(), "data": page, "resultTruncated": "false"});
        if start + top < rows.len() {
            answer["$skipToken"] = json!((start + top).to_string());
        }
        let quota = if start == 0 { "0" } else { "10" };
        return (
            200,
            vec![
                ("x-ms-user-quota-remaining", quota.into()),
                ("x-ms-user-quota-resets-after", "00:00:00".into()),
            ],
            answer,
        );
    }
    if method == "GET" {
        let lower = path.to_ascii_lowercase();
        if let Some(parent) = lower.strip_suffix("/networkrulesets/default") {
            return match resources.iter().find(|r| {
                type_of(r) == CHILD_TYPES[0]
                    && r["id"]
                        .as_str()
                        .unwrap()
                        .to_ascii_lowercase()
                        .starts_with(parent)
            }) {
                Some(r) => (200, vec![], r.clone()),
                None => (
                    404,
                    vec![],
                    json!({"error": {"code": "NotFound", "message": "no rule set"}}),
                ),
            };
        }
        for (suffix, ty) in [
            ("/privatednszonegroups", CHILD_TYPES[1]),
            ("/eventsubscriptions", CHILD_TYPES[2]),
        ] {
            if let Some(parent) = lower.strip_suffix(suffix) {
                let items = children_of(&resources, ty, parent);
                // Event subscriptions come one per page, the next page by `nextLink`.
                if ty == CHILD_TYPES[2] && items.len() == 1 {
                    return (
                        200,
                        vec![],
                        json!({"value": [], "nextLink": format!("{base}{path}/page2?api-version=2022-06-15")}),
                    );
                }
                return (200, vec![], json!({"value": items}));
            }
            if let Some(parent) = lower.strip_suffix(&format!("{suffix}/page2")) {
                let items = children_of(&resources, ty, parent);
                return (200, vec![], json!({"value": items}));
            }
        }
    }
    (
        404,
        vec![],
        json!({"error": {"code": "NotFound", "message": format!("no route {method} {path}")}}),
    )
}

/// The resources of type `ty` under the (lower-case) parent id.
fn children_of(resources: &[Value], ty: &str, parent: &str) -> Vec<Value> {
    resources
        .iter()
        .filter(|r| {
            type_of(r) == ty
                && r["id"]
                    .as_str()
                    .unwrap()
                    .to_ascii_lowercase()
                    .starts_with(&format!("{parent}/"))
        })
        .cloned()
        .collect()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_millis(1),
        max_wait: Duration::from_millis(20),
    }
}

/// (rule, resource) of violations and undetermined checks, and the input errors.
fn findings_and_problems(doc: &Value) -> (Vec<(String, String)>, Vec<String>) {
    let bytes = doc.to_string();
    let ingested = ahds_ingest::read(
        bytes.as_bytes(),
        "export.json",
        ahds_ingest::InputFormat::Auto,
    )
    .unwrap();
    let problems = ingested
        .problems
        .iter()
        .map(|p| p.message.clone())
        .collect();
    let report = ahds_guard::Evaluator::bundled()
        .unwrap()
        .evaluate(&ingested.estate)
        .unwrap();
    let mut out: Vec<(String, String)> = report
        .violations
        .iter()
        .map(|v| (v.rule_id.clone(), v.resource_id.to_ascii_lowercase()))
        .chain(report.undetermined.iter().map(|u| {
            (
                format!("undetermined {}", u.rule_id),
                u.resource_id.to_ascii_lowercase(),
            )
        }))
        .collect();
    out.sort();
    out.dedup();
    (out, problems)
}

/// (rule, resource) of violations and undetermined checks of an input read without a
/// problem.
fn findings(doc: &Value) -> Vec<(String, String)> {
    let (found, problems) = findings_and_problems(doc);
    assert!(problems.is_empty(), "{problems:?}");
    found
}

#[test]
fn collect_pages_retries_and_reports_the_subscription_it_cannot_read() {
    let fake = Fake::start();
    let mut options = CollectOptions::new(Scope::Subscriptions(vec![
        "sub-a".into(),
        "sub-denied".into(),
        "sub-flaky".into(),
    ]));
    options.endpoint = fake.url.clone();
    options.retry = fast_retries();
    options.page_size = 3;
    let steps = Mutex::new(Vec::new());
    let export = collect(
        &options,
        &Credential::Token("test-token".into()),
        &|s: &str| steps.lock().unwrap().push(s.to_string()),
    )
    .unwrap();

    // The subscription without access is reported; the others are collected.
    assert_eq!(export.failures.len(), 1, "{:?}", export.failures);
    let f = &export.failures[0];
    assert_eq!(f.scope, "subscription sub-denied");
    assert_eq!(f.status, Some(403));
    assert!(f.message.contains("AuthorizationFailed"), "{}", f.message);

    let seen = fake.seen.lock().unwrap();
    // The 429 and the 503 were each retried once; the resources came in pages of three.
    assert_eq!(seen.graph_calls["sub-flaky resources"], 2);
    let resource_rows = estate()
        .iter()
        .filter(|r| {
            let t = type_of(r);
            t != "microsoft.authorization/roleassignments" && !CHILD_TYPES.contains(&t.as_str())
        })
        .count();
    assert_eq!(
        seen.graph_calls["sub-a resources"],
        1 + resource_rows.div_ceil(3)
    );
    // The event subscriptions' second page was followed.
    assert!(
        seen.requests
            .keys()
            .any(|k| k.ends_with("/eventSubscriptions/page2")),
        "{:?}",
        seen.requests.keys()
    );
    assert!(seen.tokens.iter().all(|t| t == "Bearer test-token"));
    drop(seen);

    // Everything of the estate was collected, each resource once.
    assert_eq!(export.resources.len(), estate().len());
    assert_eq!(
        export.counts["subscription sub-a"]["microsoft.authorization/roleassignments"],
        5
    );
    assert!(
        steps
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.contains("Event Hubs network rule sets"))
    );

    // The export gives the findings of the same estate read as one file.
    let file = json!({ "value": estate() });
    let expected = findings(&file);
    assert!(!expected.is_empty());
    // The export records the subscription it could not read: `check` reports it as an
    // input error next to the findings of what was collected.
    let (found, problems) = findings_and_problems(&export.to_json());
    assert_eq!(found, expected);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("could not read `subscription sub-denied` (HTTP 403)"),
        "{problems:?}"
    );
}

#[test]
fn a_management_group_is_one_scope() {
    let fake = Fake::start();
    let mut options = CollectOptions::new(Scope::ManagementGroup("mg-clinical".into()));
    options.endpoint = fake.url.clone();
    options.retry = fast_retries();
    let export = collect(&options, &Credential::Token("t".into()), &|_: &str| {}).unwrap();
    // The fake answers a management group like a subscription without throttling.
    assert!(export.failures.is_empty(), "{:?}", export.failures);
    assert!(export.counts.contains_key("management group mg-clinical"));
}

#[test]
fn a_server_that_keeps_failing_is_reported_after_the_last_attempt() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(Mutex::new(0));
    let c = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            *c.lock().unwrap() += 1;
            let body = r#"{"error":{"code":"InternalServerError","message":"boom"}}"#;
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 500 X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    let mut options = CollectOptions::new(Scope::Subscriptions(vec!["sub-x".into()]));
    options.endpoint = url;
    options.retry = fast_retries();
    let export = collect(&options, &Credential::Token("t".into()), &|_: &str| {}).unwrap();
    assert_eq!(*count.lock().unwrap(), 4, "one request per attempt");
    assert_eq!(export.failures.len(), 1);
    assert_eq!(export.failures[0].status, Some(500));
    assert!(
        export.failures[0].message.contains("after 4 attempts"),
        "{}",
        export.failures[0].message
    );
}
