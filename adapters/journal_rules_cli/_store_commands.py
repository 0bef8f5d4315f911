"""``journal-rules store ...``: verify, checkpoint, back up and restore stores.

Self-contained: ``store_app`` can be mounted anywhere or run alone. Exit codes: 0 done and
sound, 1 ``verify`` found integrity problems, 2 the command failed (the message says why).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

import journal_rules as jr
from journal_rules.storage import (
    DEFAULT_STORE_URL,
    SIGNING_KEY_ENV,
    SIGNING_KEY_FILE_ENV,
    VERIFY_KEY_ENV,
    SigningKey,
    check_store,
    generate_signing_key,
    load_checkpoint,
    load_signing_key,
    make_checkpoint,
    trusted_keys,
)

from ._options import (
    STORE_HELP,
    RulesetOption,
    StoreOption,
    ensure_exists,
    handled,
    load_ruleset,
    new_app,
    opened,
)

store_app = new_app("Store tools: init, verify, checkpoint, backup, restore, keygen.")

KeyOption = Annotated[Path | None, typer.Option(
    "--key", metavar="FILE", help="The Ed25519 signing key file (kept outside the store); default "
                  f"${SIGNING_KEY_ENV} (the key) or ${SIGNING_KEY_FILE_ENV} (its file).")]
PublicKeyOption = Annotated[list[str] | None, typer.Option(
    "--public-key", metavar="HEX",
    help="A trusted public key (hex; repeat for several); also read from "
                         f"${VERIFY_KEY_ENV} and derived from the signing key if given.")]


def _keys(public: list[str] | None, key: Path | None) -> tuple[SigningKey | None,
                                                               frozenset[str]]:
    signing = load_signing_key(key)
    return signing, trusted_keys(public or (), signing=signing)


@store_app.command("init")
def init_command(
    store: Annotated[str, typer.Option("--store", metavar="URL", help=STORE_HELP)],
) -> None:
    """Create an empty store at URL (the other commands refuse a URL that names no store); a
    store already there is left as it is."""
    with handled():
        try:
            ensure_exists(store)
        except jr.StoreError:
            with opened(store, create=True):
                pass
            typer.echo(f"created an empty store at {store}")
            return
    typer.echo(f"{store} is already a store; nothing changed")


@store_app.command("keygen")
def keygen_command(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="Where to write the new signing key (not inside "
                                              "the store).")],
) -> None:
    """Create an Ed25519 signing key for checkpoints and print its public key."""
    with handled():
        key = generate_signing_key(file)
    typer.echo(f"{file}: signing key written (readable by you only); keep it outside the store")
    typer.echo(f"public key: {key.public_key}")
    typer.echo(f"verify with: export {VERIFY_KEY_ENV}={key.public_key}")


@store_app.command("checkpoint")
def checkpoint_command(
    actor: Annotated[str, typer.Option(
        "--actor", metavar="PERSON", help="Id of the person taking it.")],
    store: StoreOption = DEFAULT_STORE_URL,
    key: KeyOption = None,
    out: Annotated[Path | None, typer.Option(
        "--out", metavar="PATH",
        help="Also write the signed checkpoint to this file, to keep outside the "
                      "store (give it to `store verify --checkpoint`).")] = None,
) -> None:
    """Verify the whole store, then sign the head of every stream (a checkpoint)."""
    with handled(), opened(store) as handle:
        signing, _ = _keys(None, key)
        if signing is None:
            raise jr.StoreError(f"a checkpoint needs the signing key: give --key or set "
                                f"{SIGNING_KEY_ENV} / {SIGNING_KEY_FILE_ENV}")
        checkpoint = make_checkpoint(handle, signing, actor=actor, at=datetime.now(UTC))
        if out is not None:
            try:
                out.write_text(json.dumps(checkpoint.to_data(), ensure_ascii=False, indent=1),
                               "utf-8")
            except OSError as exc:
                raise jr.StoreError(f"cannot write {out}: {exc}") from exc
    typer.echo(f"checkpoint #{checkpoint.seq}: {len(checkpoint.heads)} stream(s) signed by "
               f"{checkpoint.public_key}; digest {checkpoint.digest}")


@store_app.command("verify")
def verify_command(
    store: StoreOption = DEFAULT_STORE_URL,
    public_key: PublicKeyOption = None,
    key: KeyOption = None,
    checkpoint: Annotated[Path | None, typer.Option(
        "--checkpoint", metavar="FILE",
        help="A checkpoint file kept outside the store (`store checkpoint "
                             "--out`): the store must still hold it.")] = None,
) -> None:
    """Check every stream's hash chain and compare the store with its latest signed checkpoint;
    print each finding and what was (and was not) proven; exit 1 if there is any finding."""
    with handled(), opened(store) as handle:
        _, keys = _keys(public_key, key)
        anchor = None if checkpoint is None else load_checkpoint(checkpoint)
        check = check_store(handle, public_keys=keys, anchor=anchor)
    for finding in check.findings:
        typer.echo(f"{finding['stream']} version {finding['version']}: {finding['problem']}: "
                   f"{finding['message']}")
    for line in check.proves():
        typer.echo(f"note: {line}")
    if check.findings:
        typer.echo(f"{len(check.findings)} finding(s) in {store}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{store}: {check.streams} stream(s), every hash chain holds")


@store_app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The archive to write (.jsonl.gz).")],
    actor: Annotated[str, typer.Option(
        "--actor", metavar="PERSON", help="Id of the person making the backup.")],
    store: StoreOption = DEFAULT_STORE_URL,
    ruleset: RulesetOption = None,
    key: KeyOption = None,
) -> None:
    """Write a verified archive of the store and record a backup_made event (P9); the actor
    must be allowed to record backups by the ruleset. With the signing key the archive matches
    a signed checkpoint taken first, so restore can prove it."""
    with handled(), opened(store) as handle:
        rules = load_ruleset(ruleset)
        signing, _ = _keys(None, key)
        # The command line is the edge of the system: here the wall clock is the right one.
        info = jr.backup_store(handle, file, actor=actor, at=datetime.now(UTC), ruleset=rules,
                               signing_key=signing)
    typer.echo(f"{file}: {info.events} event(s) in {info.streams} stream(s), "
               f"sha256 {info.sha256}")
    if info.checkpoint is None:
        typer.echo("warning: unsigned (no signing key): restoring it will need --trust-unsigned",
                   err=True)
    else:
        typer.echo(f"matches checkpoint #{info.checkpoint.seq} ({info.checkpoint.digest})")


@store_app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The archive to restore.")],
    store: StoreOption = DEFAULT_STORE_URL,
    public_key: PublicKeyOption = None,
    key: KeyOption = None,
    trust_unsigned: Annotated[bool, typer.Option(
        "--trust-unsigned", help="Restore an archive that no trusted signature proves.")]
    = False,
) -> None:
    """Verify an archive completely (and against its signed checkpoint), then load it into an
    empty store."""
    with handled(), opened(store, create=True) as handle:
        _, keys = _keys(public_key, key)
        info = jr.restore_store(file, handle, public_keys=keys, trust_unsigned=trust_unsigned)
    typer.echo(f"restored {info.events} event(s) in {info.streams} stream(s) from {file} "
               f"into {store}")
