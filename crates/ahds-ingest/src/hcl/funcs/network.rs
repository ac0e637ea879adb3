//! CIDR arithmetic, with `ipnet` doing the address work.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::super::value::Val;
use super::{Outcome, args};

fn prefix(a: &[Val], i: usize, name: &str) -> Result<IpNet, String> {
    let s = args::string(a, i, name)?;
    s.parse::<IpNet>()
        .map_err(|_| format!("`{name}`: `{s}` is not a CIDR prefix"))
}

fn bits(net: &IpNet) -> u32 {
    match net {
        IpNet::V4(_) => 32,
        IpNet::V6(_) => 128,
    }
}

fn base(net: &IpNet) -> u128 {
    match net.network() {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

fn addr(net: &IpNet, n: u128) -> IpAddr {
    match net {
        IpNet::V4(_) => IpAddr::V4(Ipv4Addr::from(n as u32)),
        IpNet::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
    }
}

fn subnet(net: &IpNet, newbits: i64, num: i64, name: &str) -> Result<String, String> {
    let total = bits(net);
    let new_len = i64::from(net.prefix_len()) + newbits;
    if newbits < 0 || new_len > i64::from(total) {
        return Err(format!(
            "`{name}`: {newbits} more bits do not fit a /{} prefix",
            net.prefix_len()
        ));
    }
    let new_len = new_len as u32;
    if num < 0 || (newbits < 127 && num as u128 >= 1u128 << newbits) {
        return Err(format!(
            "`{name}`: network number {num} does not fit {newbits} bits"
        ));
    }
    let shift = total - new_len;
    let sub = base(net) | ((num as u128).checked_shl(shift).unwrap_or(0));
    Ok(format!("{}/{new_len}", addr(net, sub)))
}

pub(super) fn cidrsubnet(a: &[Val]) -> Outcome {
    args::count(a, 3, "cidrsubnet")?;
    let net = prefix(a, 0, "cidrsubnet")?;
    let newbits = args::integer(a, 1, "cidrsubnet")?;
    let num = args::integer(a, 2, "cidrsubnet")?;
    subnet(&net, newbits, num, "cidrsubnet").map(Val::String)
}

/// Consecutive subnets of the given sizes, each aligned after the one before.
pub(super) fn cidrsubnets(a: &[Val]) -> Outcome {
    if a.is_empty() {
        return Err("`cidrsubnets` takes a prefix and sizes".into());
    }
    let net = prefix(a, 0, "cidrsubnets")?;
    let total = bits(&net);
    let mut next: u128 = base(&net);
    let mut out = Vec::new();
    for i in 1..a.len() {
        let newbits = args::integer(a, i, "cidrsubnets")?;
        let len = i64::from(net.prefix_len()) + newbits;
        if newbits < 1 || len > i64::from(total) {
            return Err(format!(
                "`cidrsubnets`: {newbits} more bits do not fit a /{} prefix",
                net.prefix_len()
            ));
        }
        let size = 1u128.checked_shl(total - len as u32).unwrap_or(0);
        if size > 0 {
            let rem = next % size;
            if rem != 0 {
                next += size - rem;
            }
        }
        let end = next
            .checked_add(size)
            .ok_or("`cidrsubnets`: the address space is exhausted")?;
        let limit = base(&net)
            + (1u128
                .checked_shl(total - u32::from(net.prefix_len()))
                .unwrap_or(0));
        if end > limit {
            return Err("`cidrsubnets`: the subnets do not fit the prefix".into());
        }
        out.push(Val::String(format!("{}/{len}", addr(&net, next))));
        next = end;
    }
    Ok(Val::List(out))
}

pub(super) fn cidrhost(a: &[Val]) -> Outcome {
    args::count(a, 2, "cidrhost")?;
    let net = prefix(a, 0, "cidrhost")?;
    let host = args::integer(a, 1, "cidrhost")?;
    let size: i128 = 1i128
        .checked_shl(bits(&net) - u32::from(net.prefix_len()))
        .unwrap_or(i128::MAX);
    let offset = if host < 0 {
        size + i128::from(host)
    } else {
        i128::from(host)
    };
    if offset < 0 || offset >= size {
        return Err(format!(
            "`cidrhost`: host number {host} is outside /{}",
            net.prefix_len()
        ));
    }
    Ok(Val::String(
        addr(&net, base(&net) + offset as u128).to_string(),
    ))
}

pub(super) fn cidrnetmask(a: &[Val]) -> Outcome {
    args::count(a, 1, "cidrnetmask")?;
    match prefix(a, 0, "cidrnetmask")? {
        IpNet::V4(n) => Ok(Val::String(n.netmask().to_string())),
        IpNet::V6(_) => Err("`cidrnetmask` takes an IPv4 prefix only".into()),
    }
}
