//! A fault-injecting TCP proxy on loopback between devices and the server. It works below TLS,
//! so it can only do what a bad link does: refuse or drop connections, delay and throttle bytes,
//! and cut a stream mid-request (the server never sees the whole body) or mid-response (the
//! server did the work but the device never hears back, so it sends the same request again:
//! the duplicate delivery a real link produces).
use rand::Rng;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Probability of closing a new connection at once.
    pub drop: f64,
    /// One-way latency added to every chunk (half the round-trip time).
    pub latency: Duration,
    /// Bytes per second in each direction; 0 for no limit.
    pub bandwidth: u64,
    /// Probability that a connection's upstream (device → server) is cut after a random number
    /// of bytes.
    pub cut_request: f64,
    /// Probability that a connection's downstream (server → device) is cut after a random
    /// number of bytes.
    pub cut_response: f64,
    /// Where cuts fall: a byte count drawn from this range (default 50..20,000).
    pub cut_range: Option<(u64, u64)>,
    /// Probability that a connection loses an acknowledgement: once the device has sent more
    /// than a random 1–8 KB (a request body, past the handshake), the first bytes the server
    /// sends back are dropped with the connection. The server has done the work; the device
    /// must send the same request again.
    pub lose_ack: f64,
    /// The range of that threshold (default 1–8 KB).
    pub lose_ack_after: Option<(u64, u64)>,
    /// Seed of the per-connection fault decisions, so a run's faults are repeatable.
    pub seed: u64,
}

/// The faults one connection will meet, drawn in connection order from the seeded generator.
#[derive(Debug, Clone, Copy)]
struct Plan {
    drop: bool,
    cut_up: Option<u64>,
    cut_down: Option<u64>,
    lose_ack: Option<u64>,
}

impl Faults {
    fn plan(&self, rng: &mut rand::rngs::StdRng) -> Plan {
        let (lo, hi) = self.cut_range.unwrap_or((50, 20_000));
        let drop = rng.random_bool(self.drop.clamp(0.0, 1.0));
        let cut_up = rng
            .random_bool(self.cut_request.clamp(0.0, 1.0))
            .then(|| rng.random_range(lo..hi.max(lo + 1)));
        let cut_down = rng
            .random_bool(self.cut_response.clamp(0.0, 1.0))
            .then(|| rng.random_range(lo..hi.max(lo + 1)));
        let lose_ack = rng.random_bool(self.lose_ack.clamp(0.0, 1.0)).then(|| {
            let (lo, hi) = self.lose_ack_after.unwrap_or((1_000, 8_000));
            rng.random_range(lo..hi.max(lo + 1))
        });
        Plan {
            drop,
            cut_up,
            cut_down,
            lose_ack,
        }
    }
}

impl Faults {
    /// A rural link: 300 ms round trip, 1 Mbit/s each way.
    pub fn rural() -> Self {
        Faults {
            latency: Duration::from_millis(150),
            bandwidth: 125_000,
            ..Default::default()
        }
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    pub connections: AtomicU64,
    pub dropped: AtomicU64,
    pub cut_requests: AtomicU64,
    pub cut_responses: AtomicU64,
    pub lost_acks: AtomicU64,
    pub bytes_up: AtomicU64,
    pub bytes_down: AtomicU64,
}

pub struct Proxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    pub stats: Arc<Stats>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr, faults: Faults) -> std::io::Result<Proxy> {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let faults = Arc::new(Mutex::new(faults));
        let stats = Arc::new(Stats::default());
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let (f, s) = (faults.clone(), stats.clone());
        let thread = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = TcpListener::from_std(std_listener) else {
                    return;
                };
                let mut rng: Option<(u64, rand::rngs::StdRng)> = None;
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            let Ok((client, _)) = acc else { continue };
                            let faults = f.lock().map(|g| g.clone()).unwrap_or_default();
                            // A new seed (set_faults) restarts the sequence of decisions.
                            if rng.as_ref().is_none_or(|(seed, _)| *seed != faults.seed) {
                                rng = Some((faults.seed, rand::SeedableRng::seed_from_u64(faults.seed)));
                            }
                            let plan = match rng.as_mut() {
                                Some((_, r)) => faults.plan(r),
                                None => continue,
                            };
                            tokio::spawn(handle(client, upstream, faults, plan, s.clone()));
                        }
                    }
                }
            });
        });
        Ok(Proxy {
            addr,
            faults,
            stats,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn set_faults(&self, f: Faults) {
        if let Ok(mut g) = self.faults.lock() {
            *g = f;
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(
    client: TcpStream,
    upstream: SocketAddr,
    faults: Faults,
    plan: Plan,
    stats: Arc<Stats>,
) {
    stats.connections.fetch_add(1, Relaxed);
    if plan.drop {
        stats.dropped.fetch_add(1, Relaxed);
        return;
    }
    let (cut_up, cut_down) = (plan.cut_up, plan.cut_down);
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let sent_up = Arc::new(AtomicU64::new(0));
    let watched = sent_up.clone();
    let up = pipe(
        cr,
        sw,
        faults.clone(),
        cut_up,
        None,
        sent_up.clone(),
        stats.clone(),
        true,
    );
    let down = pipe(
        sr,
        cw,
        faults,
        cut_down,
        plan.lose_ack,
        sent_up,
        stats,
        false,
    );
    // When either direction ends (closed or cut), the whole connection goes, as on a real link.
    tokio::pin!(up);
    tokio::select! {
        _ = &mut up => {},
        _ = down => {
            // A lost acknowledgement loses the answer, not the question: what the device is
            // still sending (the request body, when the answer lost was an early TLS record)
            // reaches the server before the connection goes. Without this, a slow machine cut
            // the request short and the server never stored what the test says it did.
            if plan.lose_ack.is_some() {
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    loop {
                        let before = watched.load(Relaxed);
                        if tokio::time::timeout(Duration::from_millis(100), &mut up).await.is_ok()
                            || watched.load(Relaxed) == before
                        {
                            break;
                        }
                    }
                })
                .await;
            }
        },
    }
}

/// Copies one direction, delivering each chunk after the link's serialisation time and
/// latency, and stopping dead after `cut` bytes if set. `sent_up` counts the device's bytes;
/// downstream, `lose_ack` stops at the first answer after that many were sent.
#[allow(clippy::too_many_arguments)]
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    faults: Faults,
    cut: Option<u64>,
    lose_ack: Option<u64>,
    sent_up: Arc<AtomicU64>,
    stats: Arc<Stats>,
    upstream: bool,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let stats_w = stats.clone();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut total = 0u64;
        let mut link_free = Instant::now();
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut n = n as u64;
            if upstream {
                sent_up.fetch_add(n, Relaxed);
            } else if lose_ack.is_some_and(|t| sent_up.load(Relaxed) >= t) {
                stats.lost_acks.fetch_add(1, Relaxed);
                break;
            }
            let mut stop = false;
            if let Some(c) = cut
                && total + n >= c
            {
                n = c - total;
                stop = true;
            }
            total += n;
            let now = Instant::now();
            let start = link_free.max(now);
            let tx_time = if faults.bandwidth > 0 {
                Duration::from_secs_f64(n as f64 / faults.bandwidth as f64)
            } else {
                Duration::ZERO
            };
            link_free = start + tx_time;
            if tx
                .send((link_free + faults.latency, buf[..n as usize].to_vec()))
                .is_err()
            {
                break;
            }
            if stop {
                if upstream {
                    stats.cut_requests.fetch_add(1, Relaxed);
                } else {
                    stats.cut_responses.fetch_add(1, Relaxed);
                }
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
            let counter = if upstream {
                &stats_w.bytes_up
            } else {
                &stats_w.bytes_down
            };
            counter.fetch_add(bytes.len() as u64, Relaxed);
        }
        let _ = to.shutdown().await;
    };
    // The writer drains what the reader queued; it ends when the reader has dropped its sender.
    tokio::join!(reader, writer);
}
