//! A small SMTP server for the tests, so lettre really speaks SMTP. It
//! accepts everything and keeps each message.
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct CapturedMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl CapturedMail {
    /// Each leaf part of the message: its content type and decoded body.
    pub fn parts(&self) -> Vec<(String, String)> {
        fn leaves(p: &mailparse::ParsedMail<'_>, out: &mut Vec<(String, String)>) {
            if p.subparts.is_empty() {
                out.push((p.ctype.mimetype.clone(), p.get_body().unwrap_or_default()));
            }
            for sub in &p.subparts {
                leaves(sub, out);
            }
        }
        let mut out = Vec::new();
        if let Ok(parsed) = mailparse::parse_mail(self.data.as_bytes()) {
            leaves(&parsed, &mut out);
        }
        out
    }

    /// Each attached file: its name, content type and bytes.
    pub fn attachments(&self) -> Vec<(String, String, Vec<u8>)> {
        fn walk(p: &mailparse::ParsedMail<'_>, out: &mut Vec<(String, String, Vec<u8>)>) {
            let disposition = p.get_content_disposition();
            if disposition.disposition == mailparse::DispositionType::Attachment {
                let name = disposition
                    .params
                    .get("filename")
                    .cloned()
                    .unwrap_or_default();
                out.push((
                    name,
                    p.ctype.mimetype.clone(),
                    p.get_body_raw().unwrap_or_default(),
                ));
            }
            for sub in &p.subparts {
                walk(sub, out);
            }
        }
        let mut out = Vec::new();
        if let Ok(parsed) = mailparse::parse_mail(self.data.as_bytes()) {
            walk(&parsed, &mut out);
        }
        out
    }

    /// The top-level content type, e.g. `multipart/alternative`.
    pub fn content_type(&self) -> String {
        mailparse::parse_mail(self.data.as_bytes())
            .map(|p| p.ctype.mimetype)
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }
}

#[derive(Clone)]
pub struct SmtpCapture {
    pub port: u16,
    mails: Arc<Mutex<Vec<CapturedMail>>>,
    failing: Arc<AtomicBool>,
    answer_delay_ms: Arc<AtomicU64>,
}

impl SmtpCapture {
    pub fn start() -> std::io::Result<SmtpCapture> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let failing = Arc::new(AtomicBool::new(false));
        let answer_delay_ms = Arc::new(AtomicU64::new(0));
        let (sink, fail, delay) = (mails.clone(), failing.clone(), answer_delay_ms.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (sink, fail, delay) = (sink.clone(), fail.clone(), delay.clone());
                std::thread::spawn(move || {
                    let _ = session(stream, &sink, &fail, &delay);
                });
            }
        });
        Ok(SmtpCapture {
            port,
            mails,
            failing,
            answer_delay_ms,
        })
    }

    /// Keeps each message, then waits this long before saying it was
    /// taken: a sender that dies meanwhile cannot know the message went.
    pub fn set_answer_delay(&self, delay: std::time::Duration) {
        self.answer_delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// While set, every message is refused with a temporary failure, as a
    /// relay that is down for maintenance would.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    pub fn mails(&self) -> Vec<CapturedMail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

fn session(
    stream: TcpStream,
    sink: &Mutex<Vec<CapturedMail>>,
    failing: &AtomicBool,
    answer_delay_ms: &AtomicU64,
) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    out.write_all(b"220 leeway-test ESMTP\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            out.write_all(b"250-leeway-test\r\n250 8BITMIME\r\n")?;
        } else if upper.starts_with("MAIL FROM:") && failing.load(Ordering::SeqCst) {
            out.write_all(b"451 4.3.0 relay down for maintenance\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..].trim().to_string();
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(
                line[8..]
                    .trim()
                    .trim_matches(|c| c == '<' || c == '>')
                    .to_string(),
            );
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("DATA") {
            out.write_all(b"354 go ahead\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            if let Ok(mut m) = sink.lock() {
                m.push(CapturedMail {
                    from: from.clone(),
                    to: to.clone(),
                    data: data.replace("\r\n", "\n"),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(
                answer_delay_ms.load(Ordering::SeqCst),
            ));
            out.write_all(b"250 OK queued\r\n")?;
        } else if upper.starts_with("QUIT") {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"250 OK\r\n")?;
        }
    }
}
