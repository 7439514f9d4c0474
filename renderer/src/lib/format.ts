// The formatting lives in shared/ so the PDF reports print figures exactly as the pages show them.
export * from '../../../shared/domain/format'
