export { FakeDiscord } from './fake-discord.js';
export type { FakeDiscordOptions, InteractionHandle, InteractionResponses, RecordedRequest, UserMessageArgs } from './fake-discord.js';
export type {
  AutocompleteArgs,
  ChatInputArgs,
  ComponentArgs,
  MessageContextMenuArgs,
  ModalLayout,
  ModalSubmitArgs,
  OptionValue,
  SelectArgs,
  UserContextMenuArgs,
} from './interaction-factory.js';
export type { InteractionCallback } from './interaction-responder.js';
export type { VisibleAttachment, VisibleMessage } from './message-store.js';
export type { UploadedFile, UserFile } from './request-body.js';
export type { FakeMember, MemberOptions } from './world.js';
