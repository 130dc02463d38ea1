# flags:
import tensorflow as tf
from tensorflow.keras.optimizers import RMSprop as R

opt = tf.keras.optimizers.Adam(lr=0.001, clipnorm=1.0)
rms = R(lr=1e-3, rho=0.9)
both = tf.keras.optimizers.Adam(lr=0.001, learning_rate=0.01)
# output
import tensorflow as tf
from tensorflow.keras.optimizers import RMSprop as R

opt = tf.keras.optimizers.Adam(learning_rate=0.001, clipnorm=1.0)
rms = R(learning_rate=1e-3, rho=0.9)
both = tf.keras.optimizers.Adam(lr=0.001, learning_rate=0.01)
