import Testing

/// Every DatumHTTP test runs in this serialized suite: several tests count connections on
/// their own listener or change proxy environment variables, which parallel tests would disturb.
@Suite(.serialized) enum HTTPLayerTests {}
