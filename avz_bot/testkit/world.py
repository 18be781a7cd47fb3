"""A fresh bot account, data directory and partner registry per end-to-end test."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from avz_bot.settings import Settings
from avz_bot.testkit.bot import RunningBot, bot_settings, start_bot
from avz_bot.testkit.partner import PartnerClient, PartnerFactory
from avz_bot.testkit.synapse import SynapseServer


@dataclass
class BotWorld:
    """A fresh bot account, data directory and partner registry for one test.

    Partners made with ``partner(org=...)`` are written into the registry; the bot is
    started (again) with ``start()`` and sees the registry as it is at that moment.
    """

    synapse: SynapseServer
    base: Path
    make_partner: PartnerFactory
    bot_id: str
    bot_password: str
    members: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    #: Registry names other than "Test <org>" (user id → name), as ``partner(registry_name=)``.
    registry_names: dict[str, str] = field(default_factory=dict)
    running: list[RunningBot] = field(default_factory=list)

    @property
    def partners_file(self) -> Path:
        """The partner registry file of this world."""
        return self.base / "partners.toml"

    def settings(self, **overrides: Any) -> Settings:
        """The bot's settings (same data directory and database every time)."""
        return bot_settings(
            homeserver=self.synapse.url,
            user_id=self.bot_id,
            password=self.bot_password,
            data_dir=self.base / "bot",
            partners_file=self.partners_file,
            allowed_servers=[self.synapse.server_name],
            **overrides,
        )

    def write_registry(self) -> None:
        """Write the registry file from the members registered so far."""
        lines = [
            f'[[organisations]]\ncode = "{code}"\nname = "{name}"\ndomain = "{domain}"\n'
            for code, name, domain in TEST_ORGANISATIONS
        ]
        for user_id, org, roles in self.members:
            # "driehoek:groningen"-style entries are scoped roles (registry fields).
            role_list = ", ".join(f'"{role}"' for role in roles if ":" not in role)
            scoped = "".join(
                f'{kind} = ["{scope}"]\n'
                for kind, _, scope in (role.partition(":") for role in roles if ":" in role)
            )
            shown = self.registry_names.get(user_id, f"Test {org}")
            lines.append(
                f'[[members]]\nmatrix_id = "{user_id}"\ndisplay_name = "{shown}"\n'
                f'organisation = "{org}"\nroles = [{role_list}]\n{scoped}'
            )
        self.partners_file.write_text("\n".join(lines), encoding="utf-8")

    async def partner(
        self,
        name: str,
        org: str | None = "politie",
        roles: tuple[str, ...] = ("professional",),
        *,
        registry_name: str | None = None,
    ) -> PartnerClient:
        """A connected partner; registered in the bot's registry unless ``org`` is None
        (as "Test <org>", or as ``registry_name``)."""
        client = await self.make_partner(name)
        if registry_name is not None:
            self.registry_names[client.user_id] = registry_name
        if org is not None:
            self.members.append((client.user_id, org, roles))
            self.write_registry()
        return client

    async def start(self, **overrides: Any) -> RunningBot:
        """Start the bot (upgrading its database first)."""
        self.write_registry()
        bot = await start_bot(self.settings(**overrides))
        self.running.append(bot)
        return bot

    async def case_room(
        self, opener: PartnerClient, member: PartnerClient, intake: str, title: str
    ) -> str:
        """Open a case from ``intake`` (the bot is invited there first) with ``member``'s
        organisation as partner; both join the new case room. Returns its room id."""
        await opener.invite(intake, self.bot_id)
        await opener.wait_for_join(intake, self.bot_id, timeout=60)
        opened = await opener.send_and_wait(
            intake,
            f'!casus nieuw "{title}" gemeente=groningen type=jeugd partners=ggz',
            reply_from=self.bot_id,
            timeout=60,
        )
        if "is geopend" not in opened.body:
            raise AssertionError(f"the case was not opened: {opened.body}")
        invitation = await opener.wait_for_invitation(self.bot_id, exclude=[intake], timeout=60)
        room = invitation.room_id
        await opener.join(room)
        await member.wait_for_invitation(self.bot_id, timeout=60)
        await member.join(room)
        await opener.wait_for_join(room, member.user_id, timeout=60)
        return room

    async def room_with_bot(self, owner: PartnerClient, *others: PartnerClient) -> str:
        """An encrypted room created by ``owner`` with the bot (and ``others``) joined."""
        room = await owner.create_encrypted_room(
            name="test", invite=[self.bot_id, *(o.user_id for o in others)]
        )
        await owner.wait_for_join(room, self.bot_id, timeout=60)
        for other in others:
            await other.join(room)
            await owner.wait_for_join(room, other.user_id, timeout=60)
        return room


TEST_ORGANISATIONS = (
    ("politie", "Politie Noord-Nederland", "veiligheid"),
    ("ggz", "Lentis GGZ", "zorg"),
    ("avz", "Actiecentrum Veiligheid & Zorg", "veiligheid"),
    ("gemeente-groningen", "Gemeente Groningen", "gemeente"),
)
