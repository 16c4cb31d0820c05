//! An SMTP server on a local port that keeps every message it is given: the tests' real
//! peer for reftrack's mail. It speaks enough ESMTP for a client without TLS or AUTH and
//! can refuse the next transactions with a transient `451`, or a permanent `550`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One message as it arrived, parsed.
#[derive(Debug, Clone)]
pub struct Mail {
    pub envelope_to: Vec<String>,
    pub raw: String,
}

impl Mail {
    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.raw.as_bytes())
            .expect("a message that parses")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed().body_text(0).map(|t| t.into_owned()).unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed().body_html(0).map(|t| t.into_owned()).unwrap_or_default()
    }

    /// A header's raw value, trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed().header_raw(name).map(|value| value.trim().to_owned())
    }

    /// The secret shown in the message's code block: the indented line after `label:`.
    pub fn code_after(&self, label: &str) -> String {
        let text = self.text();
        let start = text.find(&format!("{label}:")).expect("the label in the text part");
        text[start..]
            .lines()
            .skip(1)
            .map(str::trim)
            .find(|line| !line.is_empty())
            .expect("a code after the label")
            .to_owned()
    }
}

#[derive(Default)]
struct State {
    mail: Vec<Mail>,
    /// Answers to the next MAIL FROM commands (`451 …`, `550 …`), in order.
    refusals: Vec<&'static str>,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpSink {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state: Arc<Mutex<State>> = Arc::default();
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Self { port, state }
    }

    /// `smtp://127.0.0.1:{port}`: plain SMTP, as `REFTRACK_SMTP_URL` takes it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Refuses the next transactions with these answers (`"451 4.3.0 busy"`).
    pub fn refuse_next(&self, answers: &[&'static str]) {
        self.state.lock().unwrap().refusals.extend_from_slice(answers);
    }

    pub fn received(&self) -> Vec<Mail> {
        self.state.lock().unwrap().mail.clone()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.received()
            .into_iter()
            .filter(|m| m.envelope_to.iter().any(|to| to == address))
            .collect()
    }
}

/// Waits (up to 10 s) until `check` holds of the sink, then returns its messages.
pub async fn wait_until(sink: &SmtpSink, check: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
    let started = Instant::now();
    loop {
        let mail = sink.received();
        if check(&mail) {
            return mail;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the sink never got what the test waits for; it has {} message(s)",
            mail.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn address_in(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command.rfind('>').unwrap_or(command.len());
    command[start..end].to_owned()
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => out.write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?,
            "HELO" => out.write_all(b"250 sink\r\n")?,
            "MAIL" => {
                to.clear();
                let refusal = {
                    let mut state = state.lock().unwrap();
                    (!state.refusals.is_empty()).then(|| state.refusals.remove(0))
                };
                match refusal {
                    Some(answer) => out.write_all(format!("{answer}\r\n").as_bytes())?,
                    None => out.write_all(b"250 2.1.0 ok\r\n")?,
                }
            }
            "RCPT" => {
                to.push(address_in(&command));
                out.write_all(b"250 2.1.5 ok\r\n")?;
            }
            "DATA" => {
                out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                let mut raw = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-stuffing undone (RFC 5321 §4.5.2).
                    raw.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                state.lock().unwrap().mail.push(Mail {
                    envelope_to: std::mem::take(&mut to),
                    raw,
                });
                out.write_all(b"250 2.0.0 queued\r\n")?;
            }
            "RSET" | "NOOP" => out.write_all(b"250 2.0.0 ok\r\n")?,
            "QUIT" => {
                out.write_all(b"221 2.0.0 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"502 5.5.2 not implemented\r\n")?,
        }
    }
}
