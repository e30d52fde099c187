// Message ids, spool file names and Exim's size and age columns come from EximFormats;
// every client of the spool reader sees them as before.
@_exported import EximFormats
