//! Talking to the servers from the test: short-lived, bounded connections through the `redis`
//! crate (the password goes in the AUTH handshake, never on a command line), the replies the
//! scenarios read (INFO fields, Sentinel's flat key/value lists), and the one way the test
//! waits: polling a check until it holds or a deadline passes.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::thread::sleep;
use std::time::{Duration, Instant};

use redis::{ConnectionAddr, FromRedisValue, IntoConnectionInfo, RedisConnectionInfo};

/// How long one connection attempt, or one reply, may take.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a waiting scenario looks again.
const POLL: Duration = Duration::from_millis(50);

/// Connects with (or, to prove the servers refuse it, without) the password.
#[derive(Clone)]
pub struct Client {
    password: Option<String>,
    /// An ACL user and its password, for Redis (not Sentinel, whose port is `sentinel_port`).
    user: Option<(String, String, u16)>,
}

impl Client {
    pub fn new(password: &str) -> Client {
        Client {
            password: Some(password.to_owned()),
            user: None,
        }
    }

    pub fn without_password() -> Client {
        Client {
            password: None,
            user: None,
        }
    }

    /// Logs in to Redis as the ACL user `name`, to Sentinel (on `sentinel_port`) with
    /// `password` as before.
    pub fn as_user(&self, name: &str, user_password: &str, sentinel_port: u16) -> Client {
        Client {
            password: self.password.clone(),
            user: Some((name.to_owned(), user_password.to_owned(), sentinel_port)),
        }
    }

    pub fn connect(&self, addr: SocketAddr) -> Result<redis::Connection, String> {
        let mut settings = RedisConnectionInfo::default().set_skip_set_lib_name();
        match &self.user {
            Some((name, password, sentinel)) if addr.port() != *sentinel => {
                settings = settings.set_username(name).set_password(password);
            }
            _ => {
                if let Some(password) = &self.password {
                    settings = settings.set_password(password);
                }
            }
        }
        let info = ConnectionAddr::Tcp(addr.ip().to_string(), addr.port())
            .into_connection_info()
            .map_err(|e| format!("{addr}: {e}"))?
            .set_redis_settings(settings);
        let connection = redis::Client::open(info)
            .and_then(|client| client.get_connection_with_timeout(CONNECT_TIMEOUT))
            .map_err(|e| format!("{addr}: {e}"))?;
        connection
            .set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| connection.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| format!("{addr}: {e}"))?;
        Ok(connection)
    }

    /// One command on a fresh connection: servers restart under the test, so no connection
    /// is kept between checks.
    pub fn query<T: FromRedisValue>(&self, addr: SocketAddr, args: &[&str]) -> Result<T, String> {
        let mut connection = self.connect(addr)?;
        command(args)
            .query(&mut connection)
            .map_err(|e| format!("{addr} {}: {e}", args.join(" ")))
    }

    /// The fields of `INFO <section>`.
    pub fn info(
        &self,
        addr: SocketAddr,
        section: &str,
    ) -> Result<BTreeMap<String, String>, String> {
        let text: String = self.query(addr, &["INFO", section])?;
        Ok(text
            .lines()
            .filter_map(|line| line.trim_end().split_once(':'))
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect())
    }

    /// `host:port` of the master a sentinel names, if it names one.
    pub fn sentinel_master(&self, addr: SocketAddr, master_name: &str) -> Result<String, String> {
        let reply: Option<Vec<String>> =
            self.query(addr, &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", master_name])?;
        match reply.as_deref() {
            Some([host, port]) => Ok(format!("{host}:{port}")),
            _ => Err(format!("{addr} names no master for `{master_name}`")),
        }
    }

    /// A Sentinel command answering one flat key/value list (`SENTINEL MASTER`).
    pub fn sentinel_map(&self, addr: SocketAddr, args: &[&str]) -> Result<Fields, String> {
        self.query::<Vec<String>>(addr, args).map(fields)
    }

    /// A Sentinel command answering a list of them (`SENTINEL REPLICAS`, `SENTINEL SENTINELS`).
    pub fn sentinel_maps(&self, addr: SocketAddr, args: &[&str]) -> Result<Vec<Fields>, String> {
        let lists: Vec<Vec<String>> = self.query(addr, args)?;
        Ok(lists.into_iter().map(fields).collect())
    }
}

pub type Fields = BTreeMap<String, String>;

fn fields(flat: Vec<String>) -> Fields {
    let mut map = BTreeMap::new();
    let mut items = flat.into_iter();
    while let (Some(key), Some(value)) = (items.next(), items.next()) {
        map.insert(key, value);
    }
    map
}

pub fn command(args: &[&str]) -> redis::Cmd {
    let mut cmd = redis::cmd(args[0]);
    cmd.arg(&args[1..]);
    cmd
}

/// The value of one field, or an error naming what is missing.
pub fn field<'a>(fields: &'a Fields, name: &str, whose: &str) -> Result<&'a str, String> {
    fields
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| format!("{whose}: no `{name}`"))
}

/// Polls `check` until it returns `Ok`, at most `timeout`; panics with the last state when the
/// deadline passes.
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match check() {
            Ok(value) => return value,
            Err(state) if Instant::now() >= deadline => {
                panic!("timed out after {timeout:?} waiting for {what}; last state: {state}")
            }
            Err(_) => sleep(POLL),
        }
    }
}

/// A plain RESP connection from a chosen source address (the `redis` crate cannot bind one):
/// the client that stays on the isolated master's side of a partition.
pub struct BoundConnection {
    reader: std::io::BufReader<std::net::TcpStream>,
}

impl BoundConnection {
    pub fn connect(from: Ipv4Addr, to: SocketAddr, password: &str) -> std::io::Result<Self> {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        socket.bind(&SocketAddr::from((from, 0)).into())?;
        socket.connect_timeout(&to.into(), CONNECT_TIMEOUT)?;
        let stream: std::net::TcpStream = socket.into();
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        let mut connection = BoundConnection {
            reader: std::io::BufReader::new(stream),
        };
        let reply = connection.call(&["AUTH", password])?;
        if reply == "+OK" {
            Ok(connection)
        } else {
            Err(std::io::Error::other(format!("AUTH: {reply}")))
        }
    }

    /// One command; the reply's first line (`+OK`, `-NOREPLICAS ...`, `:1`).
    pub fn call(&mut self, args: &[&str]) -> std::io::Result<String> {
        use std::io::{BufRead as _, Write as _};
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
        }
        Ok(line.trim_end().to_owned())
    }
}
