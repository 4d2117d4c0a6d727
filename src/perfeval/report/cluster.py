"""Reaching a Dask cluster for ``perfeval batch --executor dask``: connect, check, or start one.

`open_cluster(scheduler, jobs=…, connect_timeout=…)` is a context manager that yields a
`distributed.Client` that is *not* the process's default client (every call made with it passes it
explicitly) and closes what it opened:

- an address (``tcp://10.0.0.5:8786``): connect within ``connect_timeout`` seconds, wait as long
  again for at least one worker;
- None: start a `LocalCluster` of ``jobs`` worker processes, one thread each, on this machine
  (same code path as a real cluster, useful on a bigger machine);
- a `distributed.Client`: used as it is and left open (tests, notebooks).

Then every worker must run the same perfeval as this process, version and code (`check_workers`): a
report made by another version would not be byte-identical, and its fingerprint would lie; and
each worker gets the kernel plugin (`dask_worker.KernelPlugin`). Anything that
stops the batch from using the cluster is a `ClusterError` with a Chinese message that names the
address; the CLI prints it without a traceback. ``dask.distributed`` is an optional dependency.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Iterator

from .. import __version__
from ..errors import InputError, PerfevalError

CONNECT_TIMEOUT_S = 10.0
INSTALL_HINT = "pip install 'perfeval[dask]'"


class ClusterError(PerfevalError):
    """The Dask cluster cannot be used: unreachable, no workers, or workers of another version."""


def distributed_module():
    """``distributed``, or a clear error when the ``dask`` extra is not installed."""
    try:
        import distributed
    except ImportError:
        raise InputError(f"使用 --executor dask 需要安装 dask.distributed ({INSTALL_HINT})",
                         expected="已安装 distributed", found="未安装") from None
    return distributed


def prepare_workers(client, address: str) -> None:
    """`check_workers`, then the kernel plugin on every worker (present and future)."""
    from .dask_worker import ensure_plugin

    try:
        check_workers(client, address)
        ensure_plugin(client)
    except ClusterError:
        raise
    except Exception as exc:  # noqa: BLE001 — whatever the cluster says, say it in one clear line
        raise ClusterError(f"无法准备调度器 {address} 的工作进程 (cannot prepare the workers)："
                           f"{type(exc).__name__}: {exc}") from None


def check_workers(client, address: str) -> None:
    """Refuse a cluster where some worker cannot import perfeval, runs another version of it, or
    the same version with other code (a worker started before an upgrade of the same version)."""
    from .dask_worker import code_identity

    ours = code_identity()
    answers = client.run(code_identity, on_error="return")
    wrong, broken = [], []
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            broken.append(f"{worker}（{type(answer).__name__}: {answer}）")
        elif tuple(answer) != ours:
            version, digest = answer
            wrong.append(f"{worker}（perfeval {version}" + ("，代码不同 (other code)" if version == ours[0] else "")
                         + "）")
    if broken:
        raise ClusterError(f"调度器 {address} 上有工作进程无法运行 perfeval (worker cannot import perfeval)："
                           f"{'；'.join(broken)}。每台运行工作进程的机器都要安装 perfeval 及 dask 扩展 "
                           f"({INSTALL_HINT})，版本与本机相同（{__version__}），装好后重启工作进程。")
    if wrong:
        raise ClusterError(f"调度器 {address} 上有工作进程的 perfeval 与本机不同 (version mismatch)："
                           f"应为 (expected) perfeval {ours[0]}，实际为 (found) {'；'.join(wrong)}。"
                           "不同版本生成的报告不能保证与本机逐字节相同，已拒绝运行；请在这些机器上安装与本机相同的版本，"
                           "然后重启工作进程。")


def _connect(distributed, address: str, timeout: float):
    from distributed.comm import resolve_address

    try:
        resolve_address(address)
    except ValueError as exc:
        raise ClusterError(f"Dask 调度器地址 {address!r} 格式不对 (invalid scheduler address)：{exc}；"
                           "应为 tcp://主机:端口，如 tcp://10.0.0.5:8786。") from None
    except OSError as exc:
        raise ClusterError(f"无法解析 Dask 调度器地址 {address} 中的主机名 (unknown host)："
                           f"{exc.strerror or exc}。") from None
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:  # refused, unknown host, timeout, bad address
        raise ClusterError(f"无法连接 Dask 调度器 {address} (scheduler unreachable)：{timeout:g} 秒内未连上"
                           f"（{type(exc).__name__}: {exc}）。请确认调度器已启动（dask scheduler），地址和端口无误，"
                           "且本机能访问该端口。") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ClusterError(f"Dask 调度器 {address} 上没有工作进程 (no workers)：{timeout:g} 秒内没有工作进程加入"
                           f"（{type(exc).__name__}）。请先在各台机器上启动 dask worker {address}。") from None
    return client


@contextlib.contextmanager
def open_cluster(scheduler=None, *, jobs: int = 2,
                 connect_timeout: float = CONNECT_TIMEOUT_S) -> Iterator:
    """A checked `distributed.Client` for ``scheduler`` (address, None for a local cluster, or a Client)."""
    distributed = distributed_module()
    if isinstance(scheduler, distributed.Client):
        prepare_workers(scheduler, str(scheduler.scheduler.address))
        yield scheduler
        return
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            # Loopback only; the scheduler's HTTP server on a free port (its default, 8787, may be taken).
            try:
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=":0", silence_logs=logging.CRITICAL))
            except Exception as exc:  # noqa: BLE001 — e.g. no free port, processes cannot start
                raise ClusterError(f"无法在本机启动 Dask LocalCluster（{jobs} 个工作进程）(cannot start a local "
                                   f"cluster)：{type(exc).__name__}: {exc}") from None
            address = cluster.scheduler_address
        else:
            address = str(scheduler).strip()
        client = _connect(distributed, address, connect_timeout)
        stack.callback(client.close)
        prepare_workers(client, address)
        if scheduler is None:  # our own workers share the terminal: Ctrl-C is the batch's to handle
            from .dask_worker import ignore_sigint

            client.run(ignore_sigint)
        yield client
