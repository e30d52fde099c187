// `MessageIDFormat` (and the one message-id recogniser) come from EximFormats.
@_exported import EximFormats
