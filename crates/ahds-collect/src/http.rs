//! Requests to Resource Manager with the waits Azure asks for: `429 Too Many Requests` is
//! retried after its `Retry-After`, a server error after an exponential backoff, and when
//! `x-ms-user-quota-remaining` reaches 0 the next request waits for
//! `x-ms-user-quota-resets-after`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// How often and how long to retry.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first backoff after a server error; it doubles each time.
    pub base_delay: Duration,
    /// The longest single wait (a `Retry-After` beyond it is cut to it).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// A request that failed for good.
#[derive(Debug, Clone)]
pub(crate) struct HttpError {
    pub(crate) status: Option<u16>,
    pub(crate) message: String,
}

/// A client bound to one endpoint and token.
pub(crate) struct Client {
    http: reqwest::Client,
    endpoint: String,
    token: String,
    retry: RetryPolicy,
    /// When the subscription's read quota allows the next request.
    not_before: std::cell::Cell<Option<Instant>>,
}

impl Client {
    pub(crate) fn new(endpoint: &str, token: String, retry: RetryPolicy) -> reqwest::Result<Self> {
        Ok(Client {
            http: reqwest::Client::builder()
                .user_agent(concat!("ahds-guard/", env!("CARGO_PKG_VERSION")))
                .timeout(Duration::from_secs(120))
                .build()?,
            endpoint: endpoint.to_string(),
            token,
            retry,
            not_before: std::cell::Cell::new(None),
        })
    }

    /// An absolute URL for a path (`/providers/...`) or a `nextLink` as given.
    pub(crate) fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.endpoint)
        }
    }

    /// GET (no body) or POST (with one), returning the JSON answer.
    pub(crate) async fn send(&self, url: &str, body: Option<&Value>) -> Result<Value, HttpError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(t) = self.not_before.take() {
                let now = Instant::now();
                if t > now {
                    tokio::time::sleep(t - now).await;
                }
            }
            let request = match body {
                Some(b) => self.http.post(url).json(b),
                None => self.http.get(url),
            };
            let response = request.bearer_auth(&self.token).send().await;
            let response = match response {
                Ok(r) => r,
                Err(e) if attempt < self.retry.attempts => {
                    // A dropped connection is worth another try, like a server error.
                    tokio::time::sleep(self.backoff(attempt)).await;
                    let _ = e;
                    continue;
                }
                Err(e) => {
                    return Err(HttpError {
                        status: None,
                        message: format!("request failed: {e}"),
                    });
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            self.note_quota(&headers);
            if status.is_success() {
                return response.json::<Value>().await.map_err(|e| HttpError {
                    status: Some(status.as_u16()),
                    message: format!("answer is not JSON: {e}"),
                });
            }
            let text = response.text().await.unwrap_or_default();
            let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if retryable && attempt < self.retry.attempts {
                let wait = if status == StatusCode::TOO_MANY_REQUESTS {
                    retry_after(&headers).unwrap_or_else(|| self.backoff(attempt))
                } else {
                    self.backoff(attempt)
                };
                tokio::time::sleep(wait.min(self.retry.max_wait)).await;
                continue;
            }
            return Err(HttpError {
                status: Some(status.as_u16()),
                message: error_message(status, &text, attempt),
            });
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(self.retry.max_wait)
    }

    /// Resource Manager's read quota: when none is left, wait for it to reset.
    fn note_quota(&self, headers: &HeaderMap) {
        let remaining = header(headers, "x-ms-user-quota-remaining")
            .or_else(|| header(headers, "x-ms-ratelimit-remaining-subscription-reads"))
            .and_then(|v| v.trim().parse::<u64>().ok());
        if remaining == Some(0) {
            let wait = header(headers, "x-ms-user-quota-resets-after")
                .and_then(hms)
                .unwrap_or(Duration::from_secs(5))
                .min(self.retry.max_wait);
            self.not_before.set(Some(Instant::now() + wait));
        }
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Retry-After` in seconds (Resource Manager writes seconds; an HTTP date is not used).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header(headers, "retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// `hh:mm:ss` as a duration.
fn hms(v: &str) -> Option<Duration> {
    let mut parts = v.trim().split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(Duration::from_secs(h * 3600 + m * 60 + s))
}

/// The service's `error.message` (ARM and Resource Graph write `{"error": {...}}`).
fn error_message(status: StatusCode, text: &str, attempts: u32) -> String {
    let detail = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| {
            let e = v.get("error")?;
            let code = e.get("code").and_then(Value::as_str).unwrap_or("");
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            Some(format!("{code}: {message}"))
        })
        .unwrap_or_else(|| text.chars().take(200).collect());
    let tries = if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    };
    format!("HTTP {}{tries}: {detail}", status.as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_reset_reads_hours_minutes_seconds() {
        assert_eq!(hms("00:01:05"), Some(Duration::from_secs(65)));
        assert_eq!(hms("x"), None);
    }

    #[test]
    fn arm_errors_name_code_and_message() {
        let m = error_message(
            StatusCode::FORBIDDEN,
            r#"{"error":{"code":"AuthorizationFailed","message":"no access"}}"#,
            1,
        );
        assert_eq!(m, "HTTP 403: AuthorizationFailed: no access");
    }
}
